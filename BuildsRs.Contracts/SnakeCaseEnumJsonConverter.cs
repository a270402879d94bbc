using System.Text.Json;
using System.Text.Json.Serialization;

namespace BuildsRs.Contracts;

/// <summary>Writes and reads an enum in its <see cref="EnumText"/> spelling; numbers are refused.</summary>
public sealed class SnakeCaseEnumJsonConverter<TEnum>() : JsonStringEnumConverter<TEnum>(JsonNamingPolicy.SnakeCaseLower, allowIntegerValues: false)
    where TEnum : struct, Enum;
