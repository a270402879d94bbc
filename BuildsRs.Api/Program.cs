using BuildsRs.Api.Apis;
using BuildsRs.Api.Extensions;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();

app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseWebSockets(new WebSocketOptions { KeepAliveInterval = TimeSpan.FromSeconds(20) });
app.MapDefaultEndpoints();
app.MapBuildersApi();
app.MapAdminApi();
app.MapArtifactUploadApi();

app.Run();
