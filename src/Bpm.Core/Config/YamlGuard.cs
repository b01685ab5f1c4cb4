using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Bpm.Config;

// The node model is built recursively; a hostile file nested thousands deep would overflow the
// stack, which no handler can catch. And a collection used as a mapping key is hashed whole, so
// an alias bomb there takes minutes. This parser passes the events on to the node model and
// refuses both on the way, before the model goes deeper or builds such a key: bpm.yml has no use
// for either. One pass over the file, not a check and then a parse.
public sealed class YamlGuard(IParser inner) : IParser
{
    public const int MaxDepth = 64;

    public sealed class Refused(Mark at, string message) : Exception(message)
    {
        public Mark At { get; } = at;
    }

    private sealed class Frame(bool isMapping)
    {
        public bool IsMapping { get; } = isMapping;
        public bool ExpectKey { get; set; } = isMapping;
    }

    private readonly Stack<Frame> _open = new();
    private Mark _last = Mark.Empty;

    public ParsingEvent? Current => inner.Current;

    public bool MoveNext()
    {
        try
        {
            if (!inner.MoveNext()) return false;
        }
        catch (InvalidOperationException)
        {
            // YamlDotNet fails this way, without a position, on some unclosed flow collections.
            throw new Refused(_last, "syntax error: the YAML parser could not continue after this position");
        }
        Check(inner.Current!);
        return true;
    }

    private void Check(ParsingEvent e)
    {
        _last = e.End;
        if (e is MappingEnd or SequenceEnd)
        {
            _open.TryPop(out _);
            return;
        }
        bool isStart = e is MappingStart or SequenceStart;
        if (!isStart && e is not (Scalar or AnchorAlias)) return;
        if (_open.TryPeek(out var parent) && parent.IsMapping)
        {
            if (parent.ExpectKey && e is not Scalar) throw new Refused(e.Start, "mapping keys must be plain values");
            parent.ExpectKey = !parent.ExpectKey;
        }
        if (isStart)
        {
            if (_open.Count >= MaxDepth) throw new Refused(e.Start, $"nesting deeper than {MaxDepth} levels");
            _open.Push(new Frame(e is MappingStart));
        }
    }
}
