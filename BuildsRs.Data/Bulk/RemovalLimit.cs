namespace BuildsRs.Data.Bulk;

/// <summary>
/// How many versions one import may remove: up to <see cref="Share"/> of the listed versions it covers, and never
/// fewer than <see cref="Floor"/> (so that one crate pulled from a small scope still goes). A registry that answers
/// wrongly (a CDN fault, a mistyped URL, a commit that drops most files) then costs a held pass, not the records.
/// </summary>
public sealed record RemovalLimit(double Share, int Floor)
{
    public bool Holds(int removals, int covered) => removals > Math.Max(Floor, Share * covered);
}

/// <summary>An import not applied because it would remove more versions than its <see cref="RemovalLimit"/> allows.</summary>
public sealed class RemovalsHeldException(int removals, int covered, RemovalLimit limit) : Exception(
    $"the index no longer lists {removals} of the {covered} versions this pass covers, more than {limit.Share:P0} " +
    $"(and more than {limit.Floor}): nothing of the pass was applied")
{
    public int Removals { get; } = removals;
    public int Covered { get; } = covered;
}
