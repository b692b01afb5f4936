"""One pattern names the Windows profile folders (`%APPDATA%`, `$env:LOCALAPPDATA`): the path it makes of them and
the secret-read message that quotes the path as the line writes it read the same."""

from __future__ import annotations

import pytest

from skillscan.analyzers.shell.paths import home_path


@pytest.mark.parametrize(("written", "path"), [
    ("%APPDATA%\\Code\\User\\settings.json", "~/AppData/Roaming/Code/User/settings.json"),
    ("$env:APPDATA/x", "~/AppData/Roaming/x"), ("$ENV:localappdata\\Google\\x", "~/AppData/Local/Google/x"),
    ("%LocalAppData%/y", "~/AppData/Local/y"), ("%APPDATA%/a;%LOCALAPPDATA%/b", "~/AppData/Roaming/a;~/AppData/Local/b"),
    ("C:\\Users\\me\\notes.txt", "~/notes.txt"), ("%TEMP%/z", "%TEMP%/z")])
def test_profile_folders(written: str, path: str) -> None:
    assert home_path(written) == path
