using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Bpm.Config;

// Reads bpm.yml through YamlDotNet's node model (no reflection, so it stays AOT-safe) and
// maps nodes to records by hand, so every type error can name its line and column.
// Unknown keys are ignored, as the original does, but each is noted as a warning for `validate`.
public sealed class ConfigParser
{
    // A real bpm.yml is a few KB; refusing huge files keeps a hostile one from exhausting memory.
    public const long MaxFileBytes = 1 << 20;

    private readonly string _file;
    private readonly List<ConfigError> _errors = [];
    private readonly List<ConfigError> _warnings = [];

    private ConfigParser(string file) => _file = file;

    public sealed record Result(JobConfig? Config, IReadOnlyList<ConfigError> Errors, IReadOnlyList<ConfigError> Warnings);

    // Returns the config (null when it cannot be built) and every error found.
    // With `partial`, the config is returned as far as it could be read even when there are
    // errors, so that `validate` can check the rest of it too.
    public static (JobConfig? Config, IReadOnlyList<ConfigError> Errors) Parse(string file, string text, bool partial = false)
    {
        var r = Read(file, text, partial);
        return (r.Config, r.Errors);
    }

    public static (JobConfig? Config, IReadOnlyList<ConfigError> Errors) ParseFile(string file, bool partial = false)
    {
        var r = ReadFile(file, partial);
        return (r.Config, r.Errors);
    }

    // As Parse, with the warnings too.
    public static Result Read(string file, string text, bool partial = false)
    {
        var parser = new ConfigParser(file);
        var config = parser.ParseText(text);
        return new Result(parser._errors.Count == 0 || partial ? config : null, parser._errors, parser._warnings);
    }

    public static Result ReadFile(string file, bool partial = false)
    {
        string text;
        try
        {
            var info = new FileInfo(file);
            if (!info.Exists) return new Result(null, [new ConfigError(file, 0, 0, "no such file")], []);
            if (info.Length > MaxFileBytes) return new Result(null, [new ConfigError(file, 0, 0, $"file is larger than {MaxFileBytes} bytes")], []);
            text = File.ReadAllText(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new Result(null, [new ConfigError(file, 0, 0, e.Message)], []);
        }
        return Read(file, text, partial);
    }

    private JobConfig? ParseText(string text)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new YamlGuard(new Parser(new StringReader(text))));
        }
        catch (YamlGuard.Refused e)
        {
            _errors.Add(new ConfigError(_file, e.At.Line, e.At.Column, e.Message));
            return null;
        }
        catch (YamlException e)
        {
            var msg = e.InnerException is { } inner && e.Message.Contains("see inner exception") ? inner.Message : e.Message;
            _errors.Add(new ConfigError(_file, e.Start.Line, e.Start.Column, msg));
            return null;
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            // e.g. a duplicate key, which the node model rejects while building a mapping.
            _errors.Add(new ConfigError(_file, 0, 0, e.Message));
            return null;
        }

        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is YamlScalarNode { Value: null or "" })
        {
            _errors.Add(new ConfigError(_file, 1, 1, "processes: required"));
            return null;
        }
        if (stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            Error(stream.Documents[0].RootNode, "expected a mapping at the top level");
            return null;
        }
        Unknown(root, KnownKeys.Top, " at the top level");

        var processes = new List<ProcessConfig>();
        if (Get(root, "processes") is not { } list)
        {
            Error(root, "processes: required");
        }
        else if (list is YamlSequenceNode seq)
        {
            foreach (var node in seq)
            {
                if (node is YamlMappingNode m) processes.Add(ParseProcess(m));
                else Error(node, "processes: each entry must be a mapping");
            }
        }
        else if (!IsNull(list))
        {
            Error(list, "processes: must be a list");
        }
        return new JobConfig(processes);
    }

    private ProcessConfig ParseProcess(YamlMappingNode m)
    {
        Unknown(m, KnownKeys.Process, "");
        var hooks = Get(m, "hooks");
        var unsafeNode = Get(m, "unsafe");
        var limits = Get(m, "limits");
        return new ProcessConfig
        {
            Name = String(m, "name") ?? "",
            Executable = String(m, "executable") ?? "",
            Args = StringList(m, "args"),
            Env = StringMap(m, "env"),
            WorkDir = String(m, "workdir"),
            PreStart = Mapping(hooks, "hooks", KnownKeys.Hooks) is { } h ? String(h, "pre_start") : null,
            Capabilities = StringList(m, "capabilities"),
            Limits = Mapping(limits, "limits", KnownKeys.Limits) is { } l ? ParseLimits(l) : new Limits(),
            EphemeralDisk = Bool(m, "ephemeral_disk"),
            PersistentDisk = Bool(m, "persistent_disk"),
            AdditionalVolumes = Volumes(m, "additional_volumes", "additional_volumes"),
            Unsafe = Mapping(unsafeNode, "unsafe", KnownKeys.Unsafe) is { } u
                ? new UnsafeConfig
                {
                    Privileged = Bool(u, "privileged"),
                    HostPidNamespace = Bool(u, "host_pid_namespace"),
                    UnrestrictedVolumes = Volumes(u, "unrestricted_volumes", "unsafe.unrestricted_volumes"),
                }
                : new UnsafeConfig(),
            ShutdownSignal = String(m, "shutdown_signal"),
            At = new SourcePosition(m.Start.Line, m.Start.Column),
            KeyPositions = m.Children.Keys.OfType<YamlScalarNode>().Where(k => k.Value is not null)
                .DistinctBy(k => k.Value)
                .ToDictionary(k => k.Value!, k => new SourcePosition(k.Start.Line, k.Start.Column)),
        };
    }

    private Limits ParseLimits(YamlMappingNode m)
    {
        long? memory = null;
        if (String(m, "memory") is { } text)
        {
            if (ByteSize.TryParse(text, out var bytes)) memory = bytes;
            else Error(Get(m, "memory")!, $"limits.memory: invalid size '{text}' (expected a number with a unit: B, K, M, G or T)");
        }
        return new Limits
        {
            Memory = memory,
            OpenFiles = Unsigned(m, "open_files"),
            Processes = (long?)Unsigned(m, "processes"),
            CoreFileSize = Unsigned(m, "core_file_size"),
        };
    }

    private List<Volume> Volumes(YamlMappingNode m, string key, string where)
    {
        var result = new List<Volume>();
        var node = Get(m, key);
        if (node is null || IsNull(node)) return result;
        if (node is not YamlSequenceNode seq)
        {
            Error(node, $"{key}: must be a list");
            return result;
        }
        foreach (var item in seq)
        {
            if (item is not YamlMappingNode v)
            {
                Error(item, $"{key}: each entry must be a mapping");
                continue;
            }
            Unknown(v, KnownKeys.Volume, $" in {where}");
            result.Add(new Volume
            {
                Path = String(v, "path") ?? "",
                Writable = Bool(v, "writable"),
                AllowExecutions = Bool(v, "allow_executions"),
                MountOnly = Bool(v, "mount_only"),
                Shared = Bool(v, "shared"),
                At = new SourcePosition(v.Start.Line, v.Start.Column),
            });
        }
        return result;
    }

    // Notes each key of `m` that bpm does not know, with the nearest known one.
    private void Unknown(YamlMappingNode m, IReadOnlyList<string> known, string where)
    {
        foreach (var key in m.Children.Keys)
        {
            if (key is not YamlScalarNode { Value: { } name } || known.Contains(name)) continue;
            // The node model does not apply YAML merge keys, so what `<<` would bring in is lost.
            var hint = name == "<<" ? " (YAML merge keys are not applied: the keys it would merge are ignored)"
                : NearestName.Of(name, known) is { } near ? $" (did you mean {near}?)" : "";
            _warnings.Add(new ConfigError(_file, key.Start.Line, key.Start.Column, $"unknown key {Printable(name)}{where}{hint}") { Warning = true });
        }
    }

    // A key as a message can show it: quoted, on one line, and not a megabyte long.
    private static string Printable(string key)
    {
        var shown = key.Length > 64 ? key[..64] + "..." : key;
        return shown.Any(c => char.IsControl(c) || c == '\'') || char.IsWhiteSpace(shown.FirstOrDefault()) || char.IsWhiteSpace(shown.LastOrDefault())
            ? "\"" + System.Text.Json.JsonEncodedText.Encode(shown).Value + "\""
            : "'" + shown + "'";
    }

    private static YamlNode? Get(YamlMappingNode m, string key) =>
        m.Children.TryGetValue(new YamlScalarNode(key), out var v) ? v : null;

    private static bool IsNull(YamlNode node) =>
        node is YamlScalarNode { Style: not (ScalarStyle.SingleQuoted or ScalarStyle.DoubleQuoted) } s
        && (s.Value is null or "" or "~" or "null" or "Null" or "NULL");

    private YamlMappingNode? Mapping(YamlNode? node, string key, IReadOnlyList<string> known)
    {
        if (node is null || IsNull(node)) return null;
        if (node is YamlMappingNode m)
        {
            Unknown(m, known, $" in {key}");
            return m;
        }
        Error(node, $"{key}: must be a mapping");
        return null;
    }

    private string? String(YamlMappingNode m, string key)
    {
        var node = Get(m, key);
        if (node is null || IsNull(node)) return null;
        if (node is YamlScalarNode s) return s.Value ?? "";
        Error(node, $"{key}: must be a string");
        return null;
    }

    private bool Bool(YamlMappingNode m, string key)
    {
        var node = Get(m, key);
        if (node is null || IsNull(node)) return false;
        if (node is YamlScalarNode { Style: ScalarStyle.Plain } s)
        {
            switch (s.Value)
            {
                case "true" or "True" or "TRUE" or "yes" or "Yes" or "YES" or "on" or "On" or "ON": return true;
                case "false" or "False" or "FALSE" or "no" or "No" or "NO" or "off" or "Off" or "OFF": return false;
            }
        }
        Error(node, $"{key}: must be true or false");
        return false;
    }

    private ulong? Unsigned(YamlMappingNode m, string key)
    {
        var node = Get(m, key);
        if (node is null || IsNull(node)) return null;
        if (node is YamlScalarNode { Style: ScalarStyle.Plain } s
            && ulong.TryParse(s.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var n)
            && n <= long.MaxValue)
            return n;
        Error(node, $"{key}: must be a non-negative integer");
        return null;
    }

    private List<string> StringList(YamlMappingNode m, string key)
    {
        var result = new List<string>();
        var node = Get(m, key);
        if (node is null || IsNull(node)) return result;
        if (node is not YamlSequenceNode seq)
        {
            Error(node, $"{key}: must be a list of strings");
            return result;
        }
        foreach (var item in seq)
        {
            if (item is YamlScalarNode s) result.Add(s.Value ?? "");
            else
            {
                Error(item, $"{key}: must be a list of strings");
                break;
            }
        }
        return result;
    }

    private List<KeyValuePair<string, string>> StringMap(YamlMappingNode m, string key)
    {
        var result = new List<KeyValuePair<string, string>>();
        var node = Get(m, key);
        if (node is null || IsNull(node)) return result;
        if (node is not YamlMappingNode map)
        {
            Error(node, $"{key}: must be a mapping of strings to strings");
            return result;
        }
        foreach (var (k, v) in map.Children)
        {
            if (k is YamlScalarNode ks && v is YamlScalarNode vs)
                result.Add(new(ks.Value ?? "", IsNull(vs) ? "" : vs.Value ?? ""));
            else
                Error(k is YamlScalarNode ? v : k, $"{key}: must be a mapping of strings to strings");
        }
        return result;
    }

    private void Error(YamlNode node, string message) =>
        _errors.Add(new ConfigError(_file, node.Start.Line, node.Start.Column, message));
}
