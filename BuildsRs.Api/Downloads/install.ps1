# Installs a crate's binaries built by BuildsRs, after checking their SHA-256 and the service's signature.
# Usage: & ([scriptblock]::Create((irm @BASE_URL@/install.ps1))) CRATE [-Version VERSION] [-Target TRIPLE]
#        [-To DIRECTORY] [-AllowUnsigned]
# Defaults: the latest version with a build for this machine, its target triple, and $env:CARGO_HOME\bin
# (~\.cargo\bin). The signature is checked with minisign when it is on the PATH (Windows has no tool of its own for
# it); $env:BUILDSRS_PUBLIC_KEY pins another key than the one this script was served with. What the signature covers
# must be what was asked for: the crate, the target, the version when one is given, and the archive's name and
# SHA-256. Without a signature, or without minisign, nothing is installed unless -AllowUnsigned says to go on with the
# SHA-256 alone. Runs on Windows PowerShell 5.1 and on PowerShell 7 anywhere.
param(
    [Parameter(Position = 0)] [string] $Crate,
    [string] $Version = 'latest',
    [string] $Target,
    [string] $To,
    [switch] $AllowUnsigned
)
$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3

$base = '@BASE_URL@'
$publicKey = if ($env:BUILDSRS_PUBLIC_KEY) { $env:BUILDSRS_PUBLIC_KEY } else { '@PUBLIC_KEY@' }
$usage = 'usage: install.ps1 CRATE [-Version VERSION] [-Target TRIPLE] [-To DIRECTORY] [-AllowUnsigned]'

# Ends the script with a message and no install; a caller sees it as an error it can catch.
function Fail([string] $message) { throw "install.ps1: $message" }

if (-not $Crate) { Fail "which crate? $usage" }
if (-not $To) {
    $cargoHome = if ($env:CARGO_HOME) { $env:CARGO_HOME } else { Join-Path $HOME '.cargo' }
    $To = Join-Path $cargoHome 'bin'
}

function Get-HostTarget {
    $architecture = [System.Runtime.InteropServices.RuntimeInformation]::OSArchitecture.ToString()
    $windows = [System.Runtime.InteropServices.RuntimeInformation]::IsOSPlatform([System.Runtime.InteropServices.OSPlatform]::Windows)
    $linux = [System.Runtime.InteropServices.RuntimeInformation]::IsOSPlatform([System.Runtime.InteropServices.OSPlatform]::Linux)
    if ($windows) {
        if ($architecture -eq 'X64') { return 'x86_64-pc-windows-gnu' }
        Fail "no Windows builds for the $architecture architecture; pass -Target if one exists"
    }
    if ($linux) {
        switch ($architecture) {
            'X64' { return 'x86_64-unknown-linux-gnu' }
            'Arm64' { return 'aarch64-unknown-linux-gnu' }
            'Arm' { return 'armv7-unknown-linux-gnueabihf' }
            'X86' { return 'i686-unknown-linux-gnu' }
            'Ppc64le' { return 'powerpc64le-unknown-linux-gnu' }
            'S390x' { return 's390x-unknown-linux-gnu' }
        }
        Fail "no builds for the $architecture architecture; pass -Target if one exists"
    }
    Fail "no builds for $([System.Runtime.InteropServices.RuntimeInformation]::OSDescription); pass -Target if one exists"
}
if (-not $Target) { $Target = Get-HostTarget }

Add-Type -AssemblyName System.Net.Http
$client = New-Object System.Net.Http.HttpClient
# Answers of any status are read, so that a refusal's own words reach the user.
function Get-Url([string] $url) {
    try { $response = $client.GetAsync($url).GetAwaiter().GetResult() }
    catch { Fail "cannot reach ${base}: $($_.Exception.GetBaseException().Message)" }
    return $response
}
# The detail of a problem-details answer, if it is one.
function Get-Detail($response) {
    try { return ($response.Content.ReadAsStringAsync().GetAwaiter().GetResult() | ConvertFrom-Json).detail } catch { return $null }
}

$work = Join-Path ([System.IO.Path]::GetTempPath()) ("buildsrs-install-" + [guid]::NewGuid().ToString('N'))
New-Item -ItemType Directory -Path $work | Out-Null
try {
    $url = "$base/builds/$Crate/$Version/$Target"

    $response = Get-Url "$url.sha256"
    if (-not $response.IsSuccessStatusCode) {
        $detail = Get-Detail $response
        if ($detail) { Fail $detail }
        Fail "nothing to download at $url (HTTP $([int]$response.StatusCode))"
    }
    $expected = ($response.Content.ReadAsStringAsync().GetAwaiter().GetResult() -split ' ')[0].Trim()
    # The archive says which glibc it needs: refuse before downloading it where this machine's is older.
    $needs = $null
    if ($response.Headers.Contains('X-Artifact-Glibc')) { $needs = @($response.Headers.GetValues('X-Artifact-Glibc'))[0] }
    if ($needs -and $Target -like '*-linux-gnu*' -and (Get-Command getconf -ErrorAction SilentlyContinue)) {
        $have = ((& getconf GNU_LIBC_VERSION 2>$null) -replace '[^0-9.]', '')
        if ($have -and ([version]$have -lt [version]$needs)) {
            Fail "$Crate's $Target build needs glibc $needs or newer; this machine has glibc $have. Nothing installed."
        }
    }

    $archive = Join-Path $work 'archive.tar.gz'
    $response = Get-Url $url
    if (-not $response.IsSuccessStatusCode) { Fail "downloading $url failed (HTTP $([int]$response.StatusCode))" }
    [System.IO.File]::WriteAllBytes($archive, $response.Content.ReadAsByteArrayAsync().GetAwaiter().GetResult())
    $actual = (Get-FileHash -Algorithm SHA256 -LiteralPath $archive).Hash.ToLowerInvariant()
    if ($actual -ne $expected) { Fail "checksum mismatch: got $actual, expected $expected; nothing installed" }

    # Why the signature cannot be checked: fatal unless -AllowUnsigned.
    function Skip-Signature([string] $reason) {
        if (-not $AllowUnsigned) { Fail "$reason; nothing installed (-AllowUnsigned installs it with only its SHA-256 checked)" }
        Write-Warning "install.ps1: $reason; only its SHA-256 was checked"
    }

    $checked = $false
    $response = Get-Url "$url.minisig"
    if (-not $response.IsSuccessStatusCode) {
        Skip-Signature "$url has no signature"
    }
    elseif (-not (Get-Command minisign -ErrorAction SilentlyContinue)) {
        Skip-Signature "minisign is not on the PATH to check the signature of $url (https://jedisct1.github.io/minisign/)"
    }
    else {
        $signature = Join-Path $work 'archive.tar.gz.minisig'
        [System.IO.File]::WriteAllText($signature, $response.Content.ReadAsStringAsync().GetAwaiter().GetResult())
        & minisign -Vqm $archive -x $signature -P $publicKey *> $null
        if ($LASTEXITCODE -ne 0) { Fail "the signature of $url does not verify with the key $publicKey; nothing installed" }
        # A genuine signature of another archive of this service (another crate, target or an older version) is no
        # signature of what was asked for. The trusted comment is the third line: tab-separated name:value fields.
        $signed = @{}
        $comment = ([System.IO.File]::ReadAllLines($signature))[2] -replace '^trusted comment: ', ''
        foreach ($field in $comment -split "`t") {
            $name, $value = $field -split ':', 2
            $signed[$name] = $value
        }
        # Crate names match as crates.io matches them: case and - against _ do not count.
        if (($signed['crate'] -replace '_', '-') -ne ($Crate -replace '_', '-')) { Fail "the signature is for the crate $($signed['crate']), not $Crate; nothing installed" }
        if ($signed['target'] -cne $Target) { Fail "the signature is for the target $($signed['target']), not $Target; nothing installed" }
        if ($Version -ne 'latest' -and $signed['version'] -cne $Version) {
            Fail "the signature is for version $($signed['version']) of $Crate, not $Version; nothing installed"
        }
        if ($signed['file'] -cne "$($signed['crate'])-$($signed['version'])-$($signed['target']).tar.gz" -or $signed['sha256'] -cne $expected) {
            Fail "the signature is for another archive than $url; nothing installed"
        }
        Write-Host "install.ps1: signature checked with minisign (key $publicKey): $($signed['crate']) $($signed['version']) for $Target"
        $checked = $true
    }
    if (-not $checked) { Write-Host "install.ps1: only the SHA-256 of $url was checked" }

    $unpacked = Join-Path $work 'bin'
    New-Item -ItemType Directory -Path $unpacked | Out-Null
    if ('System.Formats.Tar.TarFile' -as [type]) {
        $file = [System.IO.File]::OpenRead($archive)
        try {
            $gzip = New-Object System.IO.Compression.GZipStream($file, [System.IO.Compression.CompressionMode]::Decompress)
            [System.Formats.Tar.TarFile]::ExtractToDirectory($gzip, $unpacked, $false)
        }
        finally { $file.Dispose() }
    }
    else {
        # Windows PowerShell 5.1 runs on .NET Framework, which has no tar reader; Windows 10 and newer have tar.exe.
        & tar -xzf $archive -C $unpacked
        if ($LASTEXITCODE -ne 0) { Fail "unpacking $url failed" }
    }
    New-Item -ItemType Directory -Force -Path $To | Out-Null
    foreach ($binary in Get-ChildItem -LiteralPath $unpacked -File) {
        $destination = Join-Path $To $binary.Name
        Copy-Item -LiteralPath $binary.FullName -Destination $destination -Force
        if (-not [System.Runtime.InteropServices.RuntimeInformation]::IsOSPlatform([System.Runtime.InteropServices.OSPlatform]::Windows)) {
            & chmod 755 $destination
        }
        Write-Host "installed $destination"
    }
}
finally {
    $client.Dispose()
    Remove-Item -LiteralPath $work -Recurse -Force -ErrorAction SilentlyContinue
}
