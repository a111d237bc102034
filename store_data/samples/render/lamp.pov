#version 3.7;
// Table lamp: glazed ceramic base, brass fittings, linen drum shade.
#include "studio.inc"

#declare Base = sor { 12,
  <5.0, -1>, <5.2, 0>, <6.2, 1.0>, <7.6, 4.0>, <8.2, 8.0>, <7.6, 12.5>,
  <6.0, 16.0>, <4.0, 18.5>, <2.6, 19.6>, <2.2, 20.2>, <2.2, 20.6>, <2.0, 21.5>
  sturm
  texture {
    pigment { rgb SRGB(<0.50, 0.60, 0.62>) }
    normal { granite 0.03 scale 0.8 }
    finish { diffuse 0.75 ambient 0 specular 0.5 roughness 0.006
             reflection { 0.02, 0.15 fresnel on } conserve_energy }
  }
  interior { Glaze_Interior }
}

#declare Fittings = union {
  cylinder { <0, 20.4, 0>, <0, 21.2, 0>, 2.4 }       // brass collar
  cylinder { <0, 21.2, 0>, <0, 27.0, 0>, 0.45 }      // stem
  cylinder { <0, 27.0, 0>, <0, 30.5, 0>, 1.5 }       // socket
  texture { Brass }
}

#declare Linen = texture {
  pigment {
    bozo
    color_map { [0 rgb SRGB(<0.90, 0.86, 0.78>)] [1 rgb SRGB(<0.86, 0.82, 0.73>)] }
    scale <0.2, 3, 0.2>
  }
  normal { bumps 0.12 scale <0.15, 1.2, 0.15> }
  finish { diffuse 0.85 ambient 0 specular 0.02 roughness 0.1 }
}
#declare Shade = union {
  difference {
    cone { <0, 24.0, 0>, 15.0, <0, 44.0, 0>, 11.5 }
    cone { <0, 23.9, 0>, 14.75, <0, 44.1, 0>, 11.25 }
  }
  torus { 14.9, 0.28 translate y*24.1 }
  torus { 11.4, 0.28 translate y*43.9 }
  texture { Linen }
}

union { object { Base } object { Fittings } object { Shade } }
Shoot(<0, 22.3, 0>, 54, 14, 0)
Flags(80)
