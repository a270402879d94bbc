namespace BuildsRs.Contracts.Builders;

/// <summary>The peer broke the protocol: a malformed, oversized or unexpected message.</summary>
public sealed class BuilderProtocolException(string message) : Exception(message);
