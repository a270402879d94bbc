namespace BuildsRs.Api.Builds;

/// <summary>
/// Search in two steps, both on indexes of the normalized name: names that begin with the query (the prefix index;
/// the exact name first, then shorter names), then, when those do not fill the page, names like it (the trigram
/// index, pg_trgm's default similarity of 0.3). Totals are counted up to <see cref="CountLimit"/>: past that, a
/// person refines the query rather than paging on.
/// </summary>
internal static class CrateQueries
{
    public const int CountLimit = 1_000;

    /// <summary>Shorter queries resemble too many names for similarity to mean anything; they search by prefix only.</summary>
    public const int MinSimilarityLength = 4;

    public const string PrefixPage = """
        SELECT id, name FROM crates
        WHERE normalized_name LIKE @prefix
        ORDER BY normalized_name <> @q, length(normalized_name), normalized_name
        LIMIT @limit OFFSET @offset
        """;

    public const string PrefixCount = """
        SELECT count(*) AS value FROM (SELECT FROM crates WHERE normalized_name LIKE @prefix LIMIT @cap) AS matches
        """;

    public const string SimilarPage = """
        SELECT id, name FROM crates
        WHERE normalized_name % @q AND normalized_name NOT LIKE @prefix
        ORDER BY similarity(normalized_name, @q) DESC, length(normalized_name), normalized_name
        LIMIT @limit OFFSET @offset
        """;

    public const string SimilarCount = """
        SELECT count(*) AS value FROM (SELECT FROM crates WHERE normalized_name % @q AND normalized_name NOT LIKE @prefix LIMIT @cap) AS matches
        """;
}
