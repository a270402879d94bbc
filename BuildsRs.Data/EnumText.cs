using System.Text.Json;

namespace BuildsRs.Data;

/// <summary>The readable snake_case form of the model's enums (<c>out_of_memory</c>): how the database stores them
/// and how the API and the builder protocol spell them.</summary>
public static class EnumText
{
    public static string Of<TEnum>(TEnum value) where TEnum : struct, Enum => JsonNamingPolicy.SnakeCaseLower.ConvertName(value.ToString());

    public static TEnum Parse<TEnum>(string text) where TEnum : struct, Enum => Enum.Parse<TEnum>(text.Replace("_", "", StringComparison.Ordinal), true);
}
