using BuildsRs.Contracts;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace BuildsRs.Data;

/// <summary>Stores an enum as its <see cref="EnumText"/> form, which raw SQL and the API use too.</summary>
internal sealed class SnakeCaseEnumConverter<TEnum>() : ValueConverter<TEnum, string>(value => EnumText.Of(value), text => EnumText.Parse<TEnum>(text))
    where TEnum : struct, Enum;
