#version 3.7;
// Ceramic teapot, 800 ml, celadon glaze. Angle 0 = side view, 1 = three-quarter.
#ifndef (Angle) #declare Angle = 0; #end
#include "studio.inc"

#declare Celadon = Glaze(SRGB(<0.52, 0.66, 0.58>))

#declare Body = sor { 11,
  <3.5, -1>, <4.2, 0>, <5.4, 0.6>, <6.7, 2.4>, <7.3, 4.6>, <7.1, 6.8>,
  <6.3, 8.6>, <5.1, 9.8>, <4.4, 10.3>, <4.4, 10.6>, <4.3, 11.5>
  sturm
}
#declare LidPart = union {
  sor { 7, <4.4, 9.8>, <4.6, 10.55>, <4.2, 11.1>, <3.0, 11.8>, <1.2, 12.15>, <0.6, 12.25>, <0, 12.4> sturm }
  sphere { <0, 12.9, 0>, 0.95 scale <1, 0.8, 1> translate y*2.6 }
}
#declare Spout = sphere_sweep {
  cubic_spline 6,
  < 4.5, 1.8, 0>, 1.5,
  < 6.0, 3.0, 0>, 1.35,
  < 8.6, 5.4, 0>, 0.95,
  <10.4, 8.6, 0>, 0.68,
  <11.3, 10.4, 0>, 0.58,
  <11.8, 11.4, 0>, 0.55
}
#declare Handle = sphere_sweep {
  cubic_spline 6,
  <-5.2, 10.5, 0>, 0.62,
  <-6.3, 8.9, 0>, 0.62,
  <-9.6, 8.8, 0>, 0.62,
  <-10.4, 5.6, 0>, 0.62,
  <-6.8, 2.6, 0>, 0.62,
  <-5.6, 1.8, 0>, 0.62
  scale <1, 1, 1.35>
}
#declare Teapot = union {
  object { Body }
  object { LidPart }
  object { Spout }
  object { Handle }
  texture { Celadon }
  interior { Glaze_Interior }
}

#if (Angle = 1)
  object { Teapot rotate y*42 }
  Shoot(<1.0, 6.2, -1.0>, 25.5, 30, 0)
#else
  object { Teapot rotate y*-8 }
  Shoot(<0.7, 6.6, 0>, 27.5, 14, 0)
#end
Flags(50)
