using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace BuildsRs.Contracts.Registry;

/// <summary>
/// <c>pubtime</c> as crates.io writes it, whole seconds in UTC (<c>2024-05-01T12:34:56Z</c>): cargo rejects the
/// index line otherwise. Reads any ISO 8601 time.
/// </summary>
public sealed class PubTimeConverter : JsonConverter<DateTimeOffset>
{
    private const string Format = "yyyy-MM-dd'T'HH:mm:ss'Z'";

    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TryGetDateTimeOffset(out var time)
            ? time
            : DateTimeOffset.Parse(reader.GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.UtcDateTime.ToString(Format, CultureInfo.InvariantCulture));
}
