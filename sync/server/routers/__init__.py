"""The server's routes by audience: device (desks), staff (county and township officers), public
(what a payer's phone or a browser opens without signing in)."""
