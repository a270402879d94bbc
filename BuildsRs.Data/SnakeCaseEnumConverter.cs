using System.Text.Json;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace BuildsRs.Data;

/// <summary>Stores an enum as readable snake_case text (<c>out_of_memory</c>), the form raw SQL and the API use.</summary>
internal sealed class SnakeCaseEnumConverter<TEnum>() : ValueConverter<TEnum, string>(
    value => ToText(value),
    text => Enum.Parse<TEnum>(text.Replace("_", "", StringComparison.Ordinal), true))
    where TEnum : struct, Enum
{
    public static string ToText(TEnum value) => JsonNamingPolicy.SnakeCaseLower.ConvertName(value.ToString());
}
