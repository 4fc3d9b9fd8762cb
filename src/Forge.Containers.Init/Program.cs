// forge-init BUNDLE|SPEC: the container's init stage, PID 1 of a new container (or the first
// process of an exec). forge starts it with posix_spawn and an error pipe on fd 3.
using System.Runtime.Versioning;

[assembly: SupportedOSPlatform("linux")]

return Forge.Containers.CtrCommand.RunInit(args.Length > 0 ? args[0] : ".");
