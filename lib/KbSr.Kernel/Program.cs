using KbSr.Kernel;
using KbSr.Kernel.Protocol;
using KbSr.Runtime;

// The kernel process: `dotnet KbSr.Kernel.dll -f <connection file>` (what kernel.json launches).
var log = Console.Error;
string? file = null;
for (int i = 0; i < args.Length; i++)
    if (args[i] is "-f" or "--connection-file" && i + 1 < args.Length) file = args[++i];
if (file is null)
{
    log.WriteLine("usage: KbSr.Kernel -f <connection file>   (Jupyter front ends pass it; see kbsr kernel install)");
    return 2;
}
try
{
    TorchRuntime.Initialize(log.WriteLine);
}
catch (InvalidOperationException e)
{
    log.WriteLine("kbsr-kernel: " + e.Message);
    return 3;
}
using var server = new KernelServer(ConnectionInfo.Read(file), log);
return server.Run();
