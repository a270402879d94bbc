using System.Globalization;
using System.Text;
using System.Text.Json;

namespace BuildsRs.RegistrySync.Index;

/// <summary>
/// Reads an index line into an <see cref="IndexLineSummary"/> with <see cref="Utf8JsonReader"/> directly: a full
/// import reads millions of lines, and counting dependencies and slicing the feature tables out of the input is
/// several times faster than materialising them. Unknown fields are skipped, as cargo does.
/// </summary>
internal static class IndexLineReader
{
    /// <exception cref="JsonException">The line is not a JSON object, or a field has the wrong type.</exception>
    public static IndexLineSummary Read(ReadOnlySpan<byte> line)
    {
        var reader = new Utf8JsonReader(line);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException("expected an object");
        }
        var summary = new IndexLineSummary();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var property = reader.ValueSpan;
            reader.Read();
            switch (property)
            {
                case var p when p.SequenceEqual("name"u8): summary.Name = String(ref reader, "name"); break;
                case var p when p.SequenceEqual("vers"u8): summary.Vers = String(ref reader, "vers"); break;
                case var p when p.SequenceEqual("cksum"u8): summary.Cksum = String(ref reader, "cksum"); break;
                case var p when p.SequenceEqual("links"u8): summary.Links = String(ref reader, "links"); break;
                case var p when p.SequenceEqual("rust_version"u8): summary.RustVersion = String(ref reader, "rust_version"); break;
                case var p when p.SequenceEqual("deps"u8): summary.DependencyCount = ArrayLength(ref reader, "deps"); break;
                case var p when p.SequenceEqual("features"u8): summary.Features = RawObject(ref reader, line, "features"); break;
                case var p when p.SequenceEqual("features2"u8): summary.Features2 = RawObject(ref reader, line, "features2"); break;
                case var p when p.SequenceEqual("yanked"u8): summary.Yanked = reader.TokenType == JsonTokenType.Null ? null : reader.GetBoolean(); break;
                case var p when p.SequenceEqual("v"u8): summary.V = reader.TokenType == JsonTokenType.Null ? null : reader.GetInt32(); break;
                case var p when p.SequenceEqual("pubtime"u8): summary.PubTime = Time(ref reader); break;
                default: reader.Skip(); break;
            }
        }
        if (reader.TokenType != JsonTokenType.EndObject || reader.Read())
        {
            throw new JsonException("unexpected content after the object");
        }
        return summary;
    }

    private static string? String(ref Utf8JsonReader reader, string field) => reader.TokenType switch
    {
        JsonTokenType.String => reader.GetString(),
        JsonTokenType.Null => null,
        _ => throw new JsonException($"{field} must be a string"),
    };

    private static int? ArrayLength(ref Utf8JsonReader reader, string field)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw new JsonException($"{field} must be an array");
        }
        var count = 0;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            count++;
            reader.Skip();
        }
        return count;
    }

    private static string? RawObject(ref Utf8JsonReader reader, ReadOnlySpan<byte> line, string field)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException($"{field} must be an object");
        }
        var start = (int)reader.TokenStartIndex;
        reader.Skip();
        return Encoding.UTF8.GetString(line[start..(int)reader.BytesConsumed]);
    }

    private static DateTimeOffset? Time(ref Utf8JsonReader reader)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }
        if (reader.TryGetDateTimeOffset(out var time))
        {
            return time;
        }
        return DateTimeOffset.TryParse(reader.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out time)
            ? time
            : throw new JsonException("pubtime is not a time");
    }
}
