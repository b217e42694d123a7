using System.Runtime.InteropServices;
using TorchSharp;

namespace KbSr.Runtime;

/// <summary>
/// libtorch's global context (<c>at::globalContext()</c>) and the few switches of it that TorchSharp 0.107 has no
/// binding for, reached through libtorch_cpu's exported C++ symbols (Itanium ABI: Linux, macOS). Used by the
/// start-up checks <see cref="OneDnnCheck"/> and <see cref="NnpackCheck"/>.
/// </summary>
internal sealed class TorchContext
{
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)] private delegate IntPtr GlobalContext();
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)] private delegate void SetBool(IntPtr self, [MarshalAs(UnmanagedType.U1)] bool value);
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)] [return: MarshalAs(UnmanagedType.U1)] private delegate bool GetBool();

    private readonly IntPtr _self;
    private readonly IntPtr _library;

    private TorchContext(IntPtr self, IntPtr library) { _self = self; _library = library; }

    /// <summary>The context, or null where libtorch_cpu or its global-context symbol cannot be reached.</summary>
    public static TorchContext? Open()
    {
        foreach (string name in new[] { "libtorch_cpu.so", "libtorch_cpu.dylib" })
        {
            if (!NativeLibrary.TryLoad(name, typeof(torch).Assembly, null, out IntPtr library) &&
                !NativeLibrary.TryLoad(name, out library)) continue;
            if (!NativeLibrary.TryGetExport(library, "_ZN2at13globalContextEv", out IntPtr global)) return null;
            IntPtr self = Marshal.GetDelegateForFunctionPointer<GlobalContext>(global)();
            return self == IntPtr.Zero ? null : new TorchContext(self, library);
        }
        return null;
    }

    /// <summary>
    /// What every start-up check does before its probe: <c>VARIABLE=on</c> skips it; without a reachable context there
    /// is nothing to switch; <c>VARIABLE=off</c> turns the feature off unchecked. Returns the context to probe with, or
    /// null when one of those decided (<paramref name="state"/> and <paramref name="disabled"/> then say what).
    /// </summary>
    public static TorchContext? ForStartupCheck(string variable, Func<TorchContext, bool> turnOff, out string state, out bool disabled)
    {
        disabled = false;
        string? setting = Environment.GetEnvironmentVariable(variable)?.Trim().ToLowerInvariant();
        if (setting is "on") { state = $"on ({variable}=on, not checked)"; return null; }
        var context = Open();
        if (context is null) { state = "not checked (libtorch's context is not reachable on this platform)"; return null; }
        if (setting is "off")
        {
            disabled = turnOff(context);
            state = disabled ? $"off ({variable}=off)" : "on (this libtorch has no switch to turn it off)";
            return null;
        }
        state = "not checked";
        return context;
    }

    /// <summary>at::Context::setUserEnabledMkldnn (oneDNN); false where this libtorch does not export it.</summary>
    public bool TrySetMkldnnEnabled(bool enabled) => TrySet("_ZN2at7Context20setUserEnabledMkldnnEb", enabled);

    /// <summary>at::Context::setUserEnabledNNPACK; false where this libtorch does not export it.</summary>
    public bool TrySetNnpackEnabled(bool enabled) => TrySet("_ZN2at7Context20setUserEnabledNNPACKEb", enabled);

    /// <summary>at::native::_nnpack_available(): whether NNPACK initialises on this CPU; null where it is not exported.
    /// Where it cannot, libtorch logs a warning to stderr on every call.</summary>
    public bool? NnpackAvailable() =>
        NativeLibrary.TryGetExport(_library, "_ZN2at6native17_nnpack_availableEv", out IntPtr f)
            ? Marshal.GetDelegateForFunctionPointer<GetBool>(f)() : null;

    private bool TrySet(string symbol, bool value)
    {
        if (!NativeLibrary.TryGetExport(_library, symbol, out IntPtr f)) return false;
        Marshal.GetDelegateForFunctionPointer<SetBool>(f)(_self, value);
        return true;
    }
}
