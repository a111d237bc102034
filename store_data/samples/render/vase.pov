#version 3.7;
// Ribbed ceramic vase, 20 cm, matte clay-pink glaze.
#include "studio.inc"

#declare Vase = difference {
  sor { 11,
    <4.0, -1>, <4.2, 0>, <5.6, 2.5>, <6.6, 6.5>, <6.4, 10.5>, <4.8, 13.8>,
    <3.4, 16.5>, <3.0, 18.3>, <3.3, 19.6>, <3.7, 20.2>, <4.2, 21>
  }
  cylinder { <0, 12, 0>, <0, 21, 0>, 2.65 }
  texture {
    pigment { rgb SRGB(<0.80, 0.62, 0.55>) }
    normal { radial 0.9 sine_wave frequency 30 }
    finish { diffuse 0.82 ambient 0 specular 0.10 roughness 0.05 }
  }
}
object { Vase rotate y*5 }
Shoot(<0, 9.9, 0>, 28.5, 15, 0)
Flags(40)
