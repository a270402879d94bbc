using System.Net;
using Microsoft.AspNetCore.Components.Server.Circuits;

namespace BuildsRs.Web.Api;

/// <summary>
/// The address of the visitor a page is rendered for. The website forwards it to the Api (<c>X-Forwarded-For</c>),
/// whose limits then count each visitor on their own instead of the whole website as one client.
/// </summary>
/// <remarks>A page rendered on the server has its request; a live page (a circuit) has only the connection that opened
/// it, so its address is kept when the circuit opens.</remarks>
public sealed class Visitor(IHttpContextAccessor requests)
{
    private IPAddress? circuitAddress;

    public IPAddress? Address => circuitAddress ?? requests.HttpContext?.Connection.RemoteIpAddress;

    /// <summary>The client, forwarding this visitor's address when it is known.</summary>
    public HttpClient Forwarding(HttpClient http)
    {
        if (Address is { } address)
        {
            http.DefaultRequestHeaders.Add("X-Forwarded-For", address.ToString());
        }
        return http;
    }

    internal sealed class CircuitOpening(Visitor visitor, IHttpContextAccessor requests) : CircuitHandler
    {
        public override Task OnCircuitOpenedAsync(Circuit circuit, CancellationToken cancellationToken)
        {
            visitor.circuitAddress ??= requests.HttpContext?.Connection.RemoteIpAddress;
            return Task.CompletedTask;
        }
    }
}
