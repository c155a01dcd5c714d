# SPDX-License-Identifier: MIT
# gen-man-api.py - writes the man pages of the library's functions, one
# per group (config, client, request, response, loop, verify_report,
# error, providers), from
# api/httpr.h: each exported function with its prototype and the comment
# above it, the types and constants of the group with theirs, and the
# header's section comments as the page's introduction. The header is the
# one place the API is documented, so the pages cannot say otherwise.
# It also writes one small page per function (".so man3/GROUP.3"), so
# `man httpr_client_send` finds its group's page.
#
# Run at build time by make, as /usr/bin/python3:
#   gen-man-api.py HEADER OUTDIR
# A function whose name fits no group stops it with an error naming the
# function: a new prefix needs a group here.
import os
import re
import sys

# Group, page, what the group is, and the name prefixes it takes, in the
# order the pages list each other in SEE ALSO.
GROUPS = [
    ("config", "httpr_config", "the settings of an httpr client",
     ("httpr_config_",)),
    ("client", "httpr_client", "send requests with an httpr client",
     ("httpr_client_",)),
    ("request", "httpr_request", "build an httpr request",
     ("httpr_request_",)),
    ("response", "httpr_response", "read an httpr response",
     ("httpr_response_",)),
    ("loop", "httpr_loop", "run httpr transfers from an event loop",
     ("httpr_loop_", "httpr_transfer_")),
    ("verify_report", "httpr_verify_report",
     "what verifying a server's certificate did",
     ("httpr_verify_report_",)),
    ("error", "httpr_error", "httpr's error codes and error object",
     ("httpr_error_", "httpr_code_")),
    ("providers", "httpr_providers",
     "httpr's version, its TLS providers and their features",
     ("httpr_provider_", "httpr_default_provider", "httpr_version",
      "httpr_feature_")),
]


# Constants that belong to a group other than the next function's.
MACRO_GROUPS = {"HTTPR_VERSION_": "providers"}


def group_of(name):
    for g in GROUPS:
        if any(name.startswith(p) for p in g[3]):
            return g[0]
    sys.exit("gen-man-api.py: %s fits no man page group: add its prefix "
             "to GROUPS in tools/gen-man-api.py" % name)


def strip_comments(code):
    return re.sub(r"/\*.*?\*/", "", code, flags=re.S)


def parse(lines):
    """The header as a list of items: (kind, text, adjacent), where kind is
    comment, sep, define, type or func, and adjacent says that no blank
    line or other line came between the item and the one before."""
    items, i, adjacent = [], 0, False
    while i < len(lines):
        line = lines[i]
        s = line.strip()
        if not s:
            adjacent = False
            i += 1
            continue
        if s.startswith("#ifdef __cplusplus"):
            while not lines[i].strip().startswith("#endif"):
                i += 1
            i += 1
            adjacent = False
            continue
        if s.startswith("/*"):
            text = [line]
            while "*/" not in lines[i]:
                i += 1
                text.append(lines[i])
            i += 1
            body = "\n".join(text)
            kind = "sep" if re.fullmatch(r"/\*\s*-+\s*\*/", body.strip()) \
                else "comment"
            items.append((kind, body, adjacent))
            adjacent = True
            continue
        if s.startswith("#"):
            text = [line]
            while lines[i].endswith("\\"):
                i += 1
                text.append(lines[i])
            i += 1
            m = re.match(r"#\s*define\s+(HTTPR_\w+)", s)
            if m and m.group(1) not in ("HTTPR_EXPORT", "HTTPR_H"):
                items.append(("define", "\n".join(text), adjacent))
                adjacent = True
            else:
                adjacent = False
            continue
        text = [line]
        while True:
            code = strip_comments("\n".join(text)).strip()
            if "/*" not in code and code.count("{") == code.count("}") \
                    and code.endswith(";"):
                break
            i += 1
            text.append(lines[i])
        i += 1
        body = "\n".join(text)
        kind = "func" if "HTTPR_EXPORT" in body else "type"
        items.append((kind, body, adjacent))
        adjacent = True
    return items


def func_name(body):
    return re.search(r"(\w+)\s*\(", body.replace("HTTPR_EXPORT", "")).group(1)


def comment_lines(body):
    """A comment's text lines, without the comment markers."""
    out = []
    for n, line in enumerate(body.split("\n")):
        if n == 0:
            line = line.strip()[2:]
        line = re.sub(r"\*/\s*$", "", line)
        line = re.sub(r"^\s*\* ?", "", line) if n > 0 else line.lstrip()
        out.append(line.rstrip())
    while out and not out[0]:
        out.pop(0)
    while out and not out[-1]:
        out.pop()
    return out


def roff_escape(text, code=False, guard=True):
    """Text for roff: backslashes as \\e, a leading control character
    guarded (unless guard is off), and the minus signs of options and
    numbers as \\-. In code every hyphen is a minus sign."""
    out, prev, in_opt = [], " ", False
    for c in text:
        if c == "-" and (code or in_opt or not prev.isalnum()):
            out.append("\\-")
            in_opt = True
        else:
            if not c.isalnum() and c not in "-.":
                in_opt = False
            out.append("\\e" if c == "\\" else c)
        prev = c
    s = "".join(out)
    if guard and s[:1] in (".", "'"):
        s = "\\&" + s
    return s


def roff_prose(line, names):
    """A line of a comment: `code` in italics, function names in bold and
    never hyphenated."""
    parts = line.split("`")
    out = []
    for n, part in enumerate(parts):
        esc = roff_escape(part, guard=False)
        if n % 2:
            out.append("\\fI" + esc + "\\fR")
        else:
            out.append(re.sub(r"\b(httpr_\w+)\b",
                              lambda m: "\\fB\\%%%s\\fR" % m.group(1)
                              if m.group(1) in names else m.group(1), esc))
    s = "".join(out)
    # An abbreviation's period at the end of a line does not end a sentence.
    s = re.sub(r"\b(e\.g|i\.e|incl|etc)\.(?=\s|$)", r"\1.\\&", s)
    if s[:1] in (".", "'"):
        s = "\\&" + s
    return s


def roff_paragraphs(lines, names):
    """Comment text as roff: blank lines part paragraphs, "- " starts a
    bullet, and its indented continuation lines stay in it."""
    out, in_list = [".PP"], False
    for line in lines:
        if not line.strip():
            out.append(".PP")
            in_list = False
            continue
        m = re.match(r"^\s*- (.*)$", line)
        if m:
            out.append(".IP \\(bu 2")
            out.append(roff_prose(m.group(1), names))
            in_list = True
            continue
        if in_list and not line.startswith(" "):
            out.append(".PP")
            in_list = False
        out.append(roff_prose(line.strip(), names))
    return out


def roff_code(body):
    out = [".PP", ".RS 4", ".EX"]
    # clang-format pads a macro's continuations to column 80: not here.
    out += [roff_escape(re.sub(r"\s+\\$", r" \\", line), code=True)
            for line in body.split("\n")]
    out += [".EE", ".RE"]
    return out


def build(items):
    """Per group: intro comments, entries (functions sharing one comment)
    and types (code with its comment), in header order."""
    pages = {g[0]: {"intro": [], "entries": [], "types": []} for g in GROUPS}
    pending = []  # intro comments, types: they go to the next function's
    last = None   # the entry the previous item was a function of
    last_define = None  # the block the previous item was a constant of
    last_type = None    # the type the previous item was
    for n, (kind, body, adjacent) in enumerate(items):
        prev = items[n - 1] if n else None
        nxt = items[n + 1] if n + 1 < len(items) else None
        if kind == "func":
            name = func_name(body)
            group = group_of(name)
            own = prev and prev[0] == "comment" and adjacent
            for what, text in pending:
                pages[group][what].append(text)
            pending = []
            # A function without a comment of its own shares the one of
            # the function above it (as tls_cipher does tls_version's);
            # a *_free has its own words.
            if not own and last and prev[0] == "func" and adjacent \
                    and last["group"] == group and not name.endswith("_free"):
                last["funcs"].append((name, body))
            else:
                doc = comment_lines(prev[1]) if own else None
                # Right after a type, the type's comment is the function's
                # (httpr_timing's for httpr_response_time).
                if not own and prev[0] == "type" and adjacent and last_type \
                        and last_type["doc"]:
                    doc = comment_lines(last_type["doc"])
                last = {"group": group, "funcs": [(name, body)], "doc": doc}
                pages[group]["entries"].append(last)
            last_define = None
            continue
        last = None
        if kind in ("type", "define"):
            doc = prev[1] if prev and prev[0] == "comment" and adjacent \
                else None
            # Constants one after the other without comments of their own
            # are one block under the first one's comment.
            if kind == "define" and last_define and not doc and adjacent \
                    and prev[0] == "define":
                last_define["code"].append(body)
                continue
            t = {"doc": doc, "code": [body]}
            last_define = t if kind == "define" else None
            last_type = t if kind == "type" else None
            m = re.match(r"#\s*define\s+(\w+)", body)
            fixed = [g for p, g in MACRO_GROUPS.items()
                     if m and m.group(1).startswith(p)]
            if fixed:
                pages[fixed[0]]["types"].append(t)
            else:
                pending.append(("types", t))
            continue
        last_define = None
        if kind == "comment" and n > 0:
            # A comment no code follows at once introduces what comes next.
            if not (nxt and nxt[2] and nxt[0] in ("func", "type", "define")):
                pending.append(("intro", body))
    return pages


# The header says once, at its top, that every *_free accepts NULL.
FREE_DOC = ["Frees the object and all it owns; NULL is accepted."]


def prototype(body):
    """A declaration as the header breaks it (clang-format's 80 columns),
    without the export macro and with its continuation lines moved left
    by as much, so the arguments stay aligned."""
    macro = "HTTPR_EXPORT "
    lines = body.split("\n")
    if not lines[0].startswith(macro):
        return [line.replace(macro, "") for line in lines]
    out = [lines[0][len(macro):]]
    for line in lines[1:]:
        pad = len(line) - len(line.lstrip(" "))
        out.append(line[min(pad, len(macro)):])
    return out


def write_page(outdir, group, page, what, data, names, version):
    funcs = [f for e in data["entries"] for f in e["funcs"]]
    out = [".\\\" SPDX-License-Identifier: MIT",
           ".\\\" Generated by tools/gen-man-api.py from api/httpr.h: edit",
           ".\\\" the header's comments, not this file.",
           '.TH %s 3 "" "httpr %s" "Library Functions Manual"'
           % (page.upper(), version),
           ".SH NAME", ".ad l",
           ", ".join("\\%" + roff_escape(f[0]) for f in funcs) + " \\- "
           + roff_escape(what),
           ".ad", ".SH LIBRARY",
           "httpr (\\fIlibhttpr\\fR, \\fI\\-lhttpr\\fR; "
           "\\fBpkg\\-config \\-\\-libs httpr\\fR)",
           ".SH SYNOPSIS",
           ".nf",
           ".B #include <httpr.h>"]
    for name, body in funcs:
        out.append(".PP")
        out += [roff_escape(line, code=True) for line in prototype(body)]
    out += [".fi", ".SH DESCRIPTION"]
    for body in data["intro"]:
        out += roff_paragraphs(comment_lines(body), names)
    for e in data["entries"]:
        out.append(".SS " + ", ".join(
            "\\%%%s()" % roff_escape(f[0]) for f in e["funcs"]))
        doc = e["doc"]
        if doc is None and all(f[0].endswith("_free") for f in e["funcs"]):
            doc = FREE_DOC
        if doc:
            out += roff_paragraphs(doc, names)
    if data["types"]:
        out.append(".SH TYPES AND CONSTANTS")
        for t in data["types"]:
            if t["doc"]:
                out += roff_paragraphs(comment_lines(t["doc"]), names)
            out += roff_code("\n".join(t["code"]))
    others = [g[1] for g in GROUPS if g[1] != page]
    out.append(".SH SEE ALSO")
    refs = ["libhttpr"] + others
    for n, ref in enumerate(refs):
        out.append(".BR %s (3)%s" % (ref, "," if n + 1 < len(refs) else ""))
    path = os.path.join(outdir, page + ".3")
    with open(path + ".tmp", "w") as f:
        f.write("\n".join(out) + "\n")
    os.replace(path + ".tmp", path)
    return [f[0] for f in funcs]


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: gen-man-api.py HEADER OUTDIR")
    with open(sys.argv[1]) as f:
        lines = f.read().split("\n")
    version = re.search(r'#define HTTPR_VERSION_STRING "([^"]*)"',
                        "\n".join(lines)).group(1)
    items = parse(lines)
    names = {func_name(b) for k, b, _ in items if k == "func"}
    pages = build(items)
    outdir = sys.argv[2]
    links = os.path.join(outdir, "links")
    os.makedirs(links, exist_ok=True)
    for old in os.listdir(links):
        os.remove(os.path.join(links, old))
    for group, page, what, _ in GROUPS:
        for name in write_page(outdir, group, page, what, pages[group],
                               names, version):
            with open(os.path.join(links, name + ".3"), "w") as f:
                f.write(".so man3/%s.3\n" % page)


main()
