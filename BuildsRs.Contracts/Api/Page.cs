namespace BuildsRs.Contracts.Api;

/// <summary>One page of a longer list; <see cref="Total"/> counts the whole list.</summary>
public sealed record Page<T>(IReadOnlyList<T> Items, int PageNumber, int PerPage, long Total);
