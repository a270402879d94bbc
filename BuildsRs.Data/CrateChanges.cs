namespace BuildsRs.Data;

/// <summary>
/// What the database announces when a crate's public answers change: a version added, yanked, unyanked or removed,
/// or one of its jobs queued or changing state. Triggers send the crates' normalised names, space-separated, on
/// <see cref="Channel"/> when the transaction commits; <see cref="Everything"/> when a statement touched too many
/// crates to name (a full import).
/// </summary>
public static class CrateChanges
{
    public const string Channel = "buildsrs_crate_changes";
    public const string Everything = "*";

    /// <summary>The crates a notification names; empty when it means every crate.</summary>
    public static IReadOnlyList<string> Parse(string payload) =>
        payload == Everything ? [] : payload.Split(' ', StringSplitOptions.RemoveEmptyEntries);
}
