// Integration tests start forge servers, clients and a Kestrel app and push up to 1 GB through
// them; on a 2-core machine running those side by side only makes them compete and time out.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
