namespace Microsoft.Extensions.Hosting;

/// <summary>A setting a service cannot start without is missing or wrong; the message names it and says what it holds.</summary>
public sealed class InvalidSettingException(string message) : InvalidOperationException(message);
