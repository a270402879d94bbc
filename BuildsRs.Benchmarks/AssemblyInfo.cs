// The benchmarks drive Linux builds through the local Docker engine.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
