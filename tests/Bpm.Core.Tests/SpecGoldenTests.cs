using System.Text.Json;
using Bpm.Config;
using Bpm.Oci;
using Bpm.Spec;
using Xunit;

namespace Bpm.Tests;

// config.json for a few representative bpm.yml files, pinned byte for byte.
// BPM_UPDATE_GOLDEN=1 rewrites the .config.json files in the source tree instead of comparing.
public class SpecGoldenTests
{
    public static TheoryData<string> Names => ["minimal", "full", "unrestricted", "privileged"];

    [Theory]
    [MemberData(nameof(Names))]
    public void SpecMatchesGolden(string name)
    {
        var dir = Path.Join(AppContext.BaseDirectory, "Golden");
        var ymlPath = Path.Join(dir, name + ".bpm.yml");
        var (config, errors) = ConfigParser.Parse(ymlPath, File.ReadAllText(ymlPath));
        Assert.Empty(errors);
        Assert.Empty(ConfigValidator.Validate(ymlPath, "web", config!));
        var proc = Assert.Single(config!.Processes);

        var spec = SpecBuilder.Build(proc, SpecBuilderTests.Context(job: "web"));
        var actual = System.Text.Encoding.UTF8.GetString(OciJson.Write(spec)) + "\n";

        if (Environment.GetEnvironmentVariable("BPM_UPDATE_GOLDEN") == "1")
        {
            File.WriteAllText(Path.Join(SourceDir(), "Golden", name + ".config.json"), actual);
            return;
        }
        var expected = File.ReadAllText(Path.Join(dir, name + ".config.json"));
        Assert.Equal(expected, actual);
    }

    // config.json is written by the generated code directly (OciJson.Write); it must not differ
    // from what the serializer makes of the same spec.
    [Theory]
    [MemberData(nameof(Names))]
    public void DirectWriteMatchesTheSerializer(string name)
    {
        var ymlPath = Path.Join(AppContext.BaseDirectory, "Golden", name + ".bpm.yml");
        var (config, _) = ConfigParser.Parse(ymlPath, File.ReadAllText(ymlPath));
        var spec = SpecBuilder.Build(Assert.Single(config!.Processes), SpecBuilderTests.Context(job: "web"));
        Assert.Equal(JsonSerializer.Serialize(spec, OciJson.Default.RuntimeSpec), System.Text.Encoding.UTF8.GetString(OciJson.Write(spec)));
    }

    private static string SourceDir()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Join(d.FullName, "Bpm.Core.Tests.csproj"))) return d.FullName;
        throw new InvalidOperationException("cannot find Bpm.Core.Tests.csproj above " + AppContext.BaseDirectory);
    }
}
