namespace BuildsRs.Api.Builds;

internal static class CrateQueries
{
    /// <summary>
    /// Names equal to the query first, then names it begins (the prefix index), then names like it (the trigram
    /// index, pg_trgm's default similarity of 0.3); shorter names first within each. Names are compared normalized.
    /// </summary>
    public const string Search = """
        SELECT id, name, count(*) OVER () AS total
        FROM crates
        WHERE normalized_name LIKE @prefix OR normalized_name % @q
        ORDER BY normalized_name = @q DESC, normalized_name LIKE @prefix DESC, similarity(normalized_name, @q) DESC,
                 length(normalized_name), normalized_name
        LIMIT @limit OFFSET @offset
        """;
}
