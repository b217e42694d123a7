using System.CommandLine;
using KbSr.Runtime;
using static TorchSharp.torch;

namespace KbSr.Cli.Commands;

/// <summary>`kbsr runtime`: shows how torch was loaded and which device would be used.</summary>
internal static class RuntimeCommand
{
    public static Command Build()
    {
        var gcStress = new Option<double?>("--gc-stress")
        {
            Description = "Instead: run torch work for this many seconds beside a thread forcing garbage collections (a reliability check)",
        };
        var workload = new Option<string>("--workload") { Description = "With --gc-stress: scalars or adam", DefaultValueFactory = _ => "adam" };
        var unguarded = new Option<bool>("--unguarded") { Description = "With --gc-stress: without the finalizer gate, to show the race it closes" };
        var command = new Command("runtime", "Check that the torch backend loads; print device, threads and the compatibility step")
        {
            gcStress, workload, unguarded,
        };
        command.SetAction(parse =>
        {
            if (parse.GetValue(gcStress) is { } seconds)
            {
                if (!(seconds > 0)) throw new ArgumentException($"--gc-stress {seconds}: expected a positive number of seconds");
                return GcStress.Run(parse.GetValue(workload)!, seconds, guarded: !parse.GetValue(unguarded));
            }
            using var x = arange(6, dtype: float32);
            float sum = x.sum().item<float>();
            if (sum != 15f) { Console.Error.WriteLine($"torch computed 0+..+5 = {sum}"); return 1; }
            Console.WriteLine("torch ok");
            Console.WriteLine($"libtorch compat: {TorchRuntime.Compat?.Message}");
            Console.WriteLine($"device: {TorchRuntime.SelectDevice()} (cuda available: {cuda.is_available()})");
            Console.WriteLine($"threads: {get_num_threads()}");
            Console.WriteLine($"oneDNN convolutions: {OneDnnCheck.State}; float32 convolution now within {OneDnnCheck.ConvolutionError():G2} of float64");
            Console.WriteLine($"NNPACK: {NnpackCheck.State}");
            Console.WriteLine($"native heap: {NativeHeap.State}; a 192 MiB tensor after a freed 256 MiB one took {NativeHeap.RefaultPages()} page faults (49152 pages)");
            return 0;
        });
        return command;
    }
}
