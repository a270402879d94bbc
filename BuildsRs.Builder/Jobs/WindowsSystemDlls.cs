namespace BuildsRs.Builder.Jobs;

/// <summary>
/// The DLLs a clean Windows 10 or newer has in System32, of those programs import: an exe that imports anything else
/// (MinGW's <c>libgcc_s_seh-1.dll</c> or <c>libwinpthread-1.dll</c>, the MSVC runtime, a library's own DLL) fails to
/// start on a machine where nobody installed it. API sets (<c>api-ms-win-*</c>) are names the loader maps to these.
/// </summary>
public static class WindowsSystemDlls
{
    private static readonly HashSet<string> Present = new(StringComparer.OrdinalIgnoreCase)
    {
        "advapi32.dll", "bcrypt.dll", "bcryptprimitives.dll", "cfgmgr32.dll", "comctl32.dll", "comdlg32.dll",
        "crypt32.dll", "d2d1.dll", "d3d11.dll", "d3d12.dll", "dbghelp.dll", "dnsapi.dll", "dwmapi.dll", "dwrite.dll",
        "dxgi.dll", "gdi32.dll", "gdiplus.dll", "hid.dll", "imm32.dll", "iphlpapi.dll", "kernel32.dll",
        "kernelbase.dll", "mpr.dll", "msimg32.dll", "msvcrt.dll", "ncrypt.dll", "netapi32.dll", "normaliz.dll",
        "ntdll.dll", "ole32.dll", "oleaut32.dll", "opengl32.dll", "powrprof.dll", "propsys.dll", "psapi.dll",
        "rpcrt4.dll", "secur32.dll", "setupapi.dll", "shcore.dll", "shell32.dll", "shlwapi.dll", "synchronization.dll",
        "ucrtbase.dll", "user32.dll", "userenv.dll", "uxtheme.dll", "version.dll", "winhttp.dll", "wininet.dll",
        "winmm.dll", "winspool.drv", "wldap32.dll", "ws2_32.dll", "wtsapi32.dll",
    };

    public static bool Has(string dll) =>
        Present.Contains(dll) || (dll.StartsWith("api-ms-win-", StringComparison.OrdinalIgnoreCase) && dll.EndsWith(".dll", StringComparison.OrdinalIgnoreCase));
}
