; The Windows installer of Daishou (代收): the folder PyInstaller built from installer/daishou.spec
; on Windows, installed for the signed-in user (a village PC's agent is rarely an administrator),
; with a Start-menu and a desktop shortcut to the window.
;
; The ledger is not the program's: it lives in %LOCALAPPDATA%\Daishou (app/services/database.py
; default_home), apart from the program's folder, and nothing here writes, moves or deletes it,
; not even the uninstaller. The program's folder is fixed (no folder page), so an uninstall can
; never be pointed at the data.
;
;   makensis /DBUNDLE=C:\src\daishou\dist\daishou /DVERSION=0.1.0 installer\daishou.nsi
; (paths relative to this script's folder, not to where makensis runs)
;
; /DNOCOMPRESS skips compression (the test that compiles this script on Debian).

Unicode true
!include "MUI2.nsh"

!ifndef BUNDLE
  !error "Give /DBUNDLE=the folder pyinstaller built (dist\daishou)"
!endif
!ifndef VERSION
  !define VERSION "0.0.0"
!endif
!ifndef OUT
  !define OUT "Daishou-${VERSION}-setup.exe"
!endif
!ifdef NOCOMPRESS
  SetCompress off
!else
  SetCompressor /SOLID lzma
!endif

!define UNINSTALL_KEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\Daishou"

Name "代收 Daishou ${VERSION}"
OutFile "${OUT}"
RequestExecutionLevel user
InstallDir "$LOCALAPPDATA\Programs\Daishou"

!define MUI_FINISHPAGE_RUN "$INSTDIR\daishou-gui.exe"
!define MUI_FINISHPAGE_RUN_TEXT "打开代收"
; The last page says where the ledger is and that neither an update nor an uninstall touches it:
; the question the county's IT person is asked most when a new version goes out to the villages.
!define MUI_FINISHPAGE_TEXT "代收 ${VERSION} 已安装。$\r$\n$\r$\n本村的账本、备份和设置保存在 $LOCALAPPDATA\Daishou，不在程序文件夹里：安装新版本不会改动它们（新版本第一次打开时先备份再升级数据），卸载程序也会完整保留它们。"
!insertmacro MUI_PAGE_WELCOME
!insertmacro MUI_PAGE_INSTFILES
!insertmacro MUI_PAGE_FINISH
!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_INSTFILES
!define MUI_FINISHPAGE_TEXT "代收程序已卸载。$\r$\n$\r$\n本村的账本、备份和设置仍保留在 $LOCALAPPDATA\Daishou：这是村里的现金记录，县里要保存。重新安装代收后会直接打开它们。"
!insertmacro MUI_UNPAGE_FINISH
!insertmacro MUI_LANGUAGE "SimpChinese"

Section "代收"
  SetOutPath "$INSTDIR"
  ; An older version's libraries go first, so none of them is loaded beside the new ones.
  RMDir /r "$INSTDIR\_internal"
  File /r "${BUNDLE}\*"
  WriteUninstaller "$INSTDIR\uninstall.exe"

  CreateDirectory "$SMPROGRAMS\代收"
  CreateShortcut "$SMPROGRAMS\代收\代收.lnk" "$INSTDIR\daishou-gui.exe"
  CreateShortcut "$SMPROGRAMS\代收\卸载代收.lnk" "$INSTDIR\uninstall.exe"
  CreateShortcut "$DESKTOP\代收.lnk" "$INSTDIR\daishou-gui.exe"

  WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayName" "代收 Daishou"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "Publisher" "Daishou"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayIcon" "$INSTDIR\daishou-gui.exe"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "UninstallString" '"$INSTDIR\uninstall.exe"'
  WriteRegDWORD HKCU "${UNINSTALL_KEY}" "NoModify" 1
  WriteRegDWORD HKCU "${UNINSTALL_KEY}" "NoRepair" 1
SectionEnd

Section "Uninstall"
  ; The program only. The ledger, its backups and the settings in %LOCALAPPDATA%\Daishou stay:
  ; they are the village's cash records, kept for the county whatever happens to the program.
  Delete "$DESKTOP\代收.lnk"
  Delete "$SMPROGRAMS\代收\代收.lnk"
  Delete "$SMPROGRAMS\代收\卸载代收.lnk"
  RMDir "$SMPROGRAMS\代收"
  RMDir /r "$INSTDIR\_internal"
  Delete "$INSTDIR\daishou.exe"
  Delete "$INSTDIR\daishou-gui.exe"
  Delete "$INSTDIR\uninstall.exe"
  RMDir "$INSTDIR"
  DeleteRegKey HKCU "${UNINSTALL_KEY}"
SectionEnd
