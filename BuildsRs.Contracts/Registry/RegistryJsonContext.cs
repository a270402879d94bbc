using System.Text.Json.Serialization;

namespace BuildsRs.Contracts.Registry;

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(IndexLine))]
[JsonSerializable(typeof(RegistryConfig))]
[JsonSerializable(typeof(Dictionary<string, List<string>>))]
public sealed partial class RegistryJsonContext : JsonSerializerContext;
