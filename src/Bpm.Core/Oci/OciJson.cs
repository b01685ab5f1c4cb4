using System.Text.Json.Serialization;

namespace Bpm.Oci;

[JsonSourceGenerationOptions(
    WriteIndented = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(Spec))]
public sealed partial class OciJson : JsonSerializerContext;
