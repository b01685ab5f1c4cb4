// The library under test is Linux-only (CA1416); so are its tests.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
