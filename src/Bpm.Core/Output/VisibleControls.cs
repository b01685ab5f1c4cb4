namespace Bpm.Output;

// Makes job output safe to show on a terminal. Control characters other than newline and tab
// would be acted on by the terminal (escape sequences can clear the screen, retitle the window,
// or make it answer into the operator's shell), so they are shown in caret notation, as `cat -v`
// does: ESC as ^[, CR as ^M, DEL as ^?. C1 controls (U+0080 to U+009F in UTF-8) act as ESC and a
// letter do and are shown as those: U+009B (CSI) as ^[[. Everything else, other UTF-8 included,
// passes unchanged. Chunks may split a character: the state carries over.
public sealed class VisibleControls
{
    private bool _pendingLead; // the last chunk ended with 0xC2, the lead byte of a C1 control

    public byte[] Render(ReadOnlySpan<byte> chunk)
    {
        var output = new List<byte>(chunk.Length + 16);
        foreach (var b in chunk)
        {
            if (_pendingLead)
            {
                _pendingLead = false;
                if (b is >= 0x80 and <= 0x9F)
                {
                    output.Add((byte)'^');
                    output.Add((byte)'[');
                    output.Add((byte)(b - 0x40));
                    continue;
                }
                output.Add(0xC2);
            }
            if (b == 0xC2) _pendingLead = true;
            else if (b is < 0x20 and not (byte)'\n' and not (byte)'\t' || b == 0x7F)
            {
                output.Add((byte)'^');
                output.Add((byte)(b ^ 0x40));
            }
            else output.Add(b);
        }
        return [.. output];
    }

    // What a chunk left pending, at the end of the output.
    public byte[] Finish()
    {
        if (!_pendingLead) return [];
        _pendingLead = false;
        return [0xC2];
    }
}
