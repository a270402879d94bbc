namespace BuildsRs.Web.Api;

/// <summary>The Api could not be reached, timed out or failed: the website can only say so.</summary>
public sealed class ApiUnavailableException(string message, Exception? inner = null) : Exception(message, inner);
