using System.Text.Json;

namespace BuildsRs.Contracts;

/// <summary>The one spelling of the model's enums (<c>out_of_memory</c>): how the database stores them, raw SQL
/// compares them, and the API and the builder protocol write them.</summary>
public static class EnumText
{
    public static string Of<TEnum>(TEnum value) where TEnum : struct, Enum => JsonNamingPolicy.SnakeCaseLower.ConvertName(value.ToString());

    public static TEnum Parse<TEnum>(string text) where TEnum : struct, Enum => Enum.Parse<TEnum>(text.Replace("_", "", StringComparison.Ordinal), true);

    /// <summary>A SQL string literal of the value, for statements built once at start-up.</summary>
    public static string Sql<TEnum>(TEnum value) where TEnum : struct, Enum => $"'{Of(value)}'";
}
