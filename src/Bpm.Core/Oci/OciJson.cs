using System.Text.Json.Serialization;

namespace Bpm.Oci;

[JsonSourceGenerationOptions(
    WriteIndented = true,
    // Generated writing code only: building the serializer's metadata for the whole spec at
    // every start costs more than writing it.
    GenerationMode = JsonSourceGenerationMode.Serialization,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(Spec))]
public sealed partial class OciJson : JsonSerializerContext;
