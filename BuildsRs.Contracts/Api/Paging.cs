namespace BuildsRs.Contracts.Api;

/// <summary>The one rule for every paged list of the API: pages from 1 to <see cref="MaxPage"/>, 1 to
/// <see cref="MaxPerPage"/> items a page.</summary>
public static class Paging
{
    public const int MaxPage = 10_000;
    public const int MaxPerPage = 100;

    /// <summary>The page asked for (with <paramref name="defaultPerPage"/> when none is named), or why it cannot be served.</summary>
    public static (int Page, int PerPage, string? Invalid) Of(int? page, int? perPage, int defaultPerPage) =>
        (page ?? 1, perPage ?? defaultPerPage) is var (number, size) && number is >= 1 and <= MaxPage && size is >= 1 and <= MaxPerPage
            ? (number, size, null)
            : (0, 0, $"page must be 1 to {MaxPage} and per_page 1 to {MaxPerPage}");
}
