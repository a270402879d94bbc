namespace BuildsRs.Contracts.Api;

/// <summary>The keys that sign artifacts and provenance: the current one, and those retired (older signatures were made
/// with them). Public keys are in minisign's base64 form.</summary>
public sealed record SigningKeys(SigningKey Current, IReadOnlyList<SigningKey> Retired);

public sealed record SigningKey(string KeyId, string PublicKey);
