namespace BuildsRs.RegistrySync.Index;

/// <summary>An index line that was skipped, and why. <see cref="Line"/> counts from 1.</summary>
public sealed record MalformedLine(string File, int Line, string Reason);
