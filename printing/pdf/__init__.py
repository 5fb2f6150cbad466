"""The paper the county asks for, as PDF: 台账, 日结单, 公示名单, 未缴名单."""
