using System.Text.Json.Serialization;

namespace BuildsRs.Data;

/// <summary>JSON the data layer stores itself.</summary>
[JsonSerializable(typeof(Dictionary<string, string>))]
internal sealed partial class DataJsonContext : JsonSerializerContext;
