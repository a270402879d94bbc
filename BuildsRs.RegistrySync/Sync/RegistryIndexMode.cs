namespace BuildsRs.RegistrySync.Sync;

public enum RegistryIndexMode
{
    /// <summary>Follow the git index: full enumeration, then cheap diffs between commits.</summary>
    Git,

    /// <summary>Only the sparse index: refresh the crates already known (and any asked for) one by one.</summary>
    Sparse,
}
