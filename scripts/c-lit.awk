# scripts/c-lit.awk: prints a file as the lines of a C string literal, one
# source line per line of the file (for scripts/embed-grammars and
# scripts/embed-templates). Backslash, quote and '?' (trigraphs) are escaped,
# control bytes written in octal; a last line without its newline gets one.
BEGIN { for (i = 1; i < 32; i++) ctl[sprintf("%c", i)] = sprintf("\\%03o", i) }
{
    out = ""
    n = length($0)
    for (i = 1; i <= n; i++) {
        c = substr($0, i, 1)
        if (c == "\\") out = out "\\\\"
        else if (c == "\"") out = out "\\\""
        else if (c == "?") out = out "\\?"
        else if (c in ctl) out = out ctl[c]
        else if (c == sprintf("%c", 127)) out = out "\\177"
        else out = out c
    }
    printf "    \"%s\\n\"\n", out
    lines++
}
END { if (!lines) printf "    \"\"\n" }
