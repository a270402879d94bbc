using BuildsRs.RegistrySync.Apis;
using BuildsRs.RegistrySync.Extensions;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();

app.UseExceptionHandler();
app.UseStatusCodePages();
app.MapDefaultEndpoints();
app.MapRegistryApi();

app.Run();
