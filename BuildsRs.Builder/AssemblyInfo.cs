// Builds run in Linux containers through the local Docker engine; the builder runs beside them.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
