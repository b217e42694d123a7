using System.CommandLine;
using KbSr.Runtime;
using static TorchSharp.torch;

namespace KbSr.Cli.Commands;

/// <summary>`kbsr runtime`: shows how torch was loaded and which device would be used.</summary>
internal static class RuntimeCommand
{
    public static Command Build()
    {
        var command = new Command("runtime", "Check that the torch backend loads; print device, threads and the compatibility step");
        command.SetAction(_ =>
        {
            using var x = arange(6, dtype: float32);
            float sum = x.sum().item<float>();
            if (sum != 15f) { Console.Error.WriteLine($"torch computed 0+..+5 = {sum}"); return 1; }
            Console.WriteLine("torch ok");
            Console.WriteLine($"libtorch compat: {TorchRuntime.Compat?.Message}");
            Console.WriteLine($"device: {TorchRuntime.SelectDevice()} (cuda available: {cuda.is_available()})");
            Console.WriteLine($"threads: {get_num_threads()}");
            return 0;
        });
        return command;
    }
}
