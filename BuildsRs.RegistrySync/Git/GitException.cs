namespace BuildsRs.RegistrySync.Git;

/// <summary>A git command failed; the message carries what git said.</summary>
public sealed class GitException(string message) : Exception(message);
