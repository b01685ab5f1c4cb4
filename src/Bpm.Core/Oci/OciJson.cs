using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Bpm.Oci;

[JsonSourceGenerationOptions(
    WriteIndented = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    GenerationMode = JsonSourceGenerationMode.Serialization)]
[JsonSerializable(typeof(RuntimeSpec))]
public sealed partial class OciJson : JsonSerializerContext
{
    // config.json, written by the generated code directly. Through JsonSerializer, the first call
    // of a process builds the serializer's metadata for the spec's types (reflection over their
    // attributes), which cost a `bpm start` more than writing the file does.
    public static byte[] Write(RuntimeSpec spec)
    {
        var buffer = new ArrayBufferWriter<byte>(32 * 1024);
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
            Default.RuntimeSpecSerializeHandler(writer, spec);
        return buffer.WrittenSpan.ToArray();
    }
}
