namespace BuildsRs.LocalRegistry.Storage;

/// <summary>A publish the registry refuses because of what it already holds.</summary>
public sealed class RegistryConflictException(string message) : Exception(message);
