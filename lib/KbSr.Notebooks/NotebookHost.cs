using System.Reflection;
using System.Runtime.Loader;

namespace KbSr.Notebooks;

/// <summary>
/// Makes the research notebooks run unchanged on two kernels: the project's <c>kbsr-csharp</c> kernel and
/// .NET Interactive's <c>.net-csharp</c> (VS Code Polyglot Notebooks, Jupyter). A notebook's setup cell calls
/// <see cref="Start"/> and uses the returned host for what differs between them (<see cref="Cancellation"/>).
/// Under .NET Interactive it also
/// <list type="bullet">
/// <item>lets Plotly.NET run on the host's FSharp.Core (the host loads its own FSharp.Core 10.0 at start-up;
/// Plotly.NET 6.0 asks for 10.1, whose extra API it does not use);</item>
/// <item>registers formatters the .NET Interactive way (<see cref="InteractiveFormatters"/>): charts as offline
/// HTML with a static image, the library's images as PNG, result tables as HTML tables.</item>
/// </list>
/// On the project's kernel all of that is built in, and <see cref="Start"/> only returns the host.
/// </summary>
public sealed class NotebookHost
{
    private static readonly Lock Gate = new();
    private static NotebookHost? _current;

    private NotebookHost(string name) => Name = name;

    /// <summary><c>kbsr-csharp</c> or <c>.net-csharp</c>.</summary>
    public string Name { get; }

    public bool IsDotNetInteractive => Name == DotNetInteractive;

    public const string ProjectKernel = "kbsr-csharp", DotNetInteractive = ".net-csharp";

    /// <summary>Prepares the running kernel for the notebooks and returns it. Under .NET Interactive it also shows
    /// plotly.js (as the cell's first output, invisible) for the charts of the notebook, every time it is called.</summary>
    public static NotebookHost Start()
    {
        lock (Gate)
        {
            if (_current is not null)
            {
                if (_current.IsDotNetInteractive) InteractiveFormatters.ShowPlotlyJs();
                return _current;
            }
            bool interactive = Loaded("Microsoft.DotNet.Interactive.Formatting") is not null;
            _current = new NotebookHost(interactive ? DotNetInteractive : ProjectKernel);
            if (interactive)
            {
                ShareHostFSharpCore();
                InteractiveFormatters.Register();
                InteractiveFormatters.ShowPlotlyJs();
            }
            Runtime.TorchRuntime.Initialize();
            return _current;
        }
    }

    /// <summary>Cancelled when the user interrupts the running cell; long loops pass it on (e.g. <c>trainer.Run</c>).</summary>
    public CancellationToken Cancellation => IsDotNetInteractive ? InteractiveCancellation() : ProjectKernelCancellation();

    public override string ToString() => $"notebook host: {Name}";

    private static Assembly? Loaded(string name) =>
        AppDomain.CurrentDomain.GetAssemblies().FirstOrDefault(a => a.GetName().Name == name);

    /// <summary>A request for FSharp.Core that the default context cannot bind (a newer version than the host's)
    /// gets the host's copy, so that Plotly.NET and everything else share one set of F# types.</summary>
    private static void ShareHostFSharpCore() =>
        AssemblyLoadContext.Default.Resolving += (_, name) => name.Name == "FSharp.Core" ? Loaded("FSharp.Core") : null;

    // The project's kernel: KbSr.Kernel.Execution.KernelContext.Current.Cancellation (the kernel replaces the
    // token after an interrupt, so it is read anew each time).
    private static CancellationToken ProjectKernelCancellation()
    {
        var type = Loaded("KbSr.Kernel")?.GetType("KbSr.Kernel.Execution.KernelContext");
        var current = type?.GetProperty("Current", BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic)?.GetValue(null);
        return current?.GetType().GetProperty("Cancellation")?.GetValue(current) is CancellationToken token ? token : CancellationToken.None;
    }

    // .NET Interactive: KernelInvocationContext.Current.CancellationToken, the running cell's token.
    private static CancellationToken InteractiveCancellation()
    {
        var type = Loaded("Microsoft.DotNet.Interactive")?.GetType("Microsoft.DotNet.Interactive.KernelInvocationContext");
        var current = type?.GetProperty("Current", BindingFlags.Static | BindingFlags.Public)?.GetValue(null);
        return current?.GetType().GetProperty("CancellationToken")?.GetValue(current) is CancellationToken token ? token : CancellationToken.None;
    }
}
