using System.Text.Json.Nodes;
using KbSr.Kernel.Formatting;

namespace KbSr.Kernel.Execution;

/// <summary>Where a cell's rich outputs go (the kernel publishes them on iopub).</summary>
public interface IDisplaySink
{
    void Display(JsonObject bundle, string displayId, bool update);
}

/// <summary>Members every cell sees as globals: <c>display(x)</c> and <c>Kernel</c>.</summary>
public sealed class ScriptGlobals(IDisplaySink sink, KernelContext context)
{
    /// <summary>The kernel's state visible to cells, e.g. <c>Kernel.Cancellation</c>.</summary>
    public KernelContext Kernel { get; } = context;

    /// <summary>Shows <paramref name="value"/> now; the returned handle updates that output in place.</summary>
#pragma warning disable IDE1006 // lower-case on purpose: the name notebooks use in Jupyter and .NET Interactive
    public DisplayHandle display(object? value)
#pragma warning restore IDE1006
    {
        var handle = new DisplayHandle(sink, Guid.NewGuid().ToString("N"), this);
        sink.Display(Formatter.Format(value), handle.DisplayId, update: false);
        return handle;
    }

    private readonly List<DisplayHandle> _live = [];

    internal void MarkLive(DisplayHandle handle)
    {
        lock (_live) if (!_live.Contains(handle)) _live.Add(handle);
    }

    /// <summary>At the end of a cell, live displays get their final form once more, now with static images.</summary>
    internal void FinishCell()
    {
        DisplayHandle[] live;
        lock (_live) { live = [.. _live]; _live.Clear(); }
        foreach (var handle in live) handle.Finish();
    }
}

/// <summary>An output shown with <c>display(x)</c>; <see cref="Update"/> replaces it (e.g. a live training curve).</summary>
public sealed class DisplayHandle
{
    private readonly IDisplaySink _sink;
    private readonly ScriptGlobals? _owner;
    private object? _last;

    public DisplayHandle(IDisplaySink sink, string displayId) : this(sink, displayId, null) { }

    internal DisplayHandle(IDisplaySink sink, string displayId, ScriptGlobals? owner)
    {
        _sink = sink;
        DisplayId = displayId;
        _owner = owner;
    }

    public string DisplayId { get; }

    /// <summary>Replaces the output. Charts updated this way skip their static image (it takes a browser run)
    /// until the cell ends, when the last value is shown once more with it.</summary>
    public void Update(object? value)
    {
        if (_owner is null) { _sink.Display(Formatter.Format(value), DisplayId, update: true); return; }
        PlotlyFormatter.SkipStaticImage = true;
        try { _sink.Display(Formatter.Format(value), DisplayId, update: true); }
        finally { PlotlyFormatter.SkipStaticImage = false; }
        _last = value;
        if (value is Plotly.NET.GenericChart) _owner.MarkLive(this);
    }

    internal void Finish()
    {
        if (_last is not null) _sink.Display(Formatter.Format(_last), DisplayId, update: true);
    }

    public override string ToString() => $"display {DisplayId}";
}

/// <summary>Per-kernel state cells may use.</summary>
public sealed class KernelContext
{
    private CancellationTokenSource _cts = new();

    /// <summary>Cancelled when the user interrupts the running cell. Long loops should pass it on or check it.</summary>
    public CancellationToken Cancellation => _cts.Token;

    /// <summary>The folder relative <c>#r</c> paths and files are resolved against.</summary>
    public string WorkingDirectory { get; internal set; } = Environment.CurrentDirectory;

    // Cancel runs on the control thread while ResetIfCancelled may run on the shell thread: the old source is
    // replaced, never disposed, so a late Cancel on it is harmless.
    internal void Cancel() => Volatile.Read(ref _cts).Cancel();

    internal void ResetIfCancelled()
    {
        if (!_cts.IsCancellationRequested) return;
        Volatile.Write(ref _cts, new CancellationTokenSource());
    }

    /// <summary>Injected by the kernel into every loop body of a cell so that an interrupt also stops loops that never check.</summary>
    public static void CheckInterrupt() => Current?.Cancellation.ThrowIfCancellationRequested();

    internal static KernelContext? Current { get; set; }
}
